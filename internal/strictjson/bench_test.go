package strictjson

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
)

// stateFixture is the saved site config of examples/appservice (as ARM
// returns it), decoded into the SDK's model.
func stateFixture(b *testing.B) []byte {
	data, err := os.ReadFile("../../examples/appservice/testdata/state.json")
	if err != nil {
		b.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		b.Fatal(err)
	}
	return top["siteConfig"]
}

// BenchmarkDecodeSiteConfig is Decode (check, then encoding/json with the
// SDK's UnmarshalJSON); BenchmarkUnmarshalSiteConfig is the
// encoding/json decode alone, for the cost of the check.
func BenchmarkDecodeSiteConfig(b *testing.B) {
	data := stateFixture(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v armappservice.SiteConfigResource
		if _, err := Decode("s.json", data, &v, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalSiteConfig(b *testing.B) {
	data := stateFixture(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v armappservice.SiteConfigResource
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

package armtest_test

import (
	"fmt"

	"github.com/deploykit/deploykit/internal/armtest"
)

func ExampleMergePatch() {
	doc := []byte(`{"properties":{"alwaysOn":false,"linuxFxVersion":"DOCKER|app:1"}}`)
	out, _ := armtest.MergePatch(doc, []byte(`{"properties":{"alwaysOn":true}}`))
	fmt.Println(string(out))
	// Output: {"properties":{"alwaysOn":true,"linuxFxVersion":"DOCKER|app:1"}}
}

package cdn_test

import (
	"fmt"

	"github.com/deploykit/deploykit/cdn"
)

func Example() {
	// The design document's cache setting, checked.
	src := []byte("WHITENOISE_MAX_AGE = 31536000  # 1 year for static files with hash names\n")
	for _, d := range cdn.CheckSettings("settings.py", src, cdn.CheckOptions{}) {
		fmt.Println(d.Pos, d.Rule, d.SuggestedFixes[0].Message)
	}

	// Microsoft's own price comparison: 5 TB and 100 M requests a month.
	ests, _ := cdn.EstimateCost(cdn.Prices(), cdn.Usage{EgressGB: 5000, Requests: 100e6, OriginGB: 2.5})
	for _, e := range ests[:3] {
		fmt.Printf("%s: $%.2f\n", e.Offer.Name, e.Total)
	}

	// Only the unhashed name whose content changed is purged.
	old := &cdn.Manifest{Version: "1.0", Paths: map[string]string{"css/site.css": "css/site.dd1dd9204562.css"}}
	next := &cdn.Manifest{Version: "1.1", Paths: map[string]string{"css/site.css": "css/site.00b115253961.css"}}
	for _, p := range cdn.PurgePaths(old, next, "/static/") {
		fmt.Println("purge", p.Path)
	}
	// Output:
	// settings.py:1:1 CDN001 remove WHITENOISE_MAX_AGE (WhiteNoise's default is 60 s), or keep it at most 3600
	// Azure Front Door Standard: $540.05
	// Azure Front Door Premium: $895.05
	// Azure CDN Standard from Microsoft (classic): $405.00
	// purge /static/css/site.css
}

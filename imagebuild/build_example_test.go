package imagebuild_test

import (
	"fmt"

	"github.com/deploykit/deploykit/imagebuild"
)

// A registry cache in buildx syntax, checked against the image it caches.
func ExampleParseCacheSpec() {
	spec, err := imagebuild.ParseCacheSpec("type=registry,ref=registry.example.com/blog:buildcache,mode=max")
	if err != nil {
		panic(err)
	}
	fmt.Println(spec.Type, spec.Attrs["ref"], spec.Attrs["mode"])
	fmt.Println(imagebuild.ValidateCacheExport(spec, []string{"registry.example.com/blog:v42"}))

	same, _ := imagebuild.ParseCacheSpec("registry.example.com/blog:v42")
	fmt.Println(imagebuild.ValidateCacheExport(same, []string{"registry.example.com/blog:v42"}) != nil)
	// Output:
	// registry registry.example.com/blog:buildcache max
	// <nil>
	// true
}

// What `RUN chown -R app /app` after `COPY . /app` costs: the same bytes
// twice, reported as a chown copy-up.
func ExampleAnalyzeWaste() {
	file := func(uid int) imagebuild.LayerFile {
		return imagebuild.LayerFile{Path: "app/venv.bin", Type: imagebuild.LayerFileRegular, Size: 21_000_000, UID: uid, ContentDigest: "sha256:1"}
	}
	w := imagebuild.AnalyzeWaste([]imagebuild.Layer{
		{CreatedBy: "COPY . /app # buildkit", Files: []imagebuild.LayerFile{file(0)}},
		{CreatedBy: "RUN /bin/sh -c chown -R app /app # buildkit", Files: []imagebuild.LayerFile{file(1000)}},
	})
	fmt.Printf("reclaimable %s, copy-ups %s, efficiency %.0f%%\n",
		imagebuild.FormatSize(w.ReclaimableBytes), imagebuild.FormatSize(w.CopyUpBytes), w.Efficiency*100)
	// Output:
	// reclaimable 21.0MB, copy-ups 21.0MB, efficiency 50%
}

// Package imagebuild drives BuildKit builds of container images and reports
// their size: Builder (a BuildKit client) builds Targets with cache
// imports and exports in buildx syntax (ParseCacheSpec), secrets, bake
// files and build checks (Builder.Check); ReadSize and AnalyzeWaste read
// the image back from a registry or an OCI layout and say where its bytes
// go, layer by layer.
//
// Dockerfile analysis and generation live in the pure subpackage
// imagebuild/dockerfile, which imports only BuildKit's parser and linter;
// a program that only lints should import that package alone.
//
//	b, err := imagebuild.NewBuilder(ctx, imagebuild.BuilderConfig{Addr: "unix:///run/buildkit/buildkitd.sock"})
//	if err != nil { ... }
//	defer b.Close()
//	res, err := b.Build(ctx, imagebuild.Target{Context: ".", Tags: []string{"registry.example.com/blog:v42"}})
package imagebuild

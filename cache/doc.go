// Package cache computes GitHub Actions cache keys outside the runner and
// stores cache archives.
//
// # hashFiles, byte for byte
//
// [HashFiles] returns exactly what the expression hashFiles(...) evaluates
// to on a Linux or macOS GitHub runner: it follows the runner's shipped
// script (@actions/glob 0.4 with minimatch 3) rule for rule. Patterns are
// rooted at the workspace; '*' and '?' match within one path segment and
// do match leading dots; '**' matches any number of segments; a pattern
// whose last segment is not '**' also matches everything below what it
// names ('src' hashes all of src/); a leading '!' excludes, and patterns
// apply in order so a later include re-includes. The matched files are
// visited depth first, each directory's children in byte order, starting
// from each pattern's literal prefix in the order the patterns appear. The
// result is the sha256 of the concatenated sha256 digests of the files, in
// that order, as lowercase hex; "" when nothing matched.
//
// HashFiles is faster than the runner: files are hashed in parallel (the
// order of the digests never changes) and, with a [StatCache], files whose
// inode, size, mtime and ctime have not changed are not read again.
//
// [HashFilesStable] and [HashFilesGitIndex] are deliberately NOT
// hashFiles-compatible: they give keys that do not change with the walk
// order, line endings or untracked files.
//
// # Keys and restore
//
// [EvalKey] evaluates key templates such as
// "${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}".
// [ValidateKey], [CacheVersion] and [Resolve] implement the rules of
// actions/cache: key limits, the cache version string and how a restore
// picks an entry from the exact key and the restore-key prefixes, on the
// current branch first and then the default branch.
//
// # Archives and stores
//
// [SaveCache] and [RestoreCache] do what actions/cache does with a path
// input ([CachePaths]: several paths, "~", absolute paths, globs, "!"
// exclusions, paths outside the workspace stored as "../"): the same GNU
// tar posix archive, zstd (or gzip), the same [CacheVersion], so an entry
// saved by one restores with the other. [WriteCacheArchive] and
// [ExtractCacheArchive] are the archive steps alone; [WriteArchive] and
// [ExtractArchive] handle plain relative paths under one directory.
//
// Extraction cannot write outside the places being restored: every write
// goes through an [os.Root]; absolute names, "..", entries beneath a
// symbolic link, links that resolve outside, hard links to anything but a
// file of the same archive and device files are refused
// ([ErrUnsafeArchive]); size and entry count are capped ([ErrArchiveLimit]).
//
// [Store] is implemented by [DirStore] (a local directory),
// [AzureBlobStore] and [CacheServiceStore] (the GitHub Actions cache service
// protocol v2, or a self-hosted server speaking it). Saves are atomic:
// concurrent saves of one key leave exactly one complete entry.
//
// # Docker layer caches
//
// [LayerCacheRefs] names registry and gha layer-cache refs per branch with
// a fallback to the default branch, for BuildKit --cache-from/--cache-to.
//
// The package targets Linux and macOS, like the runner semantics it
// reproduces.
package cache

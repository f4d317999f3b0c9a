package main

import (
	"embed"
	"io/fs"
	"os"
)

// embeddedName is the embedded sample project's name.
const embeddedName = "minimalwave-blog"

// project is the sample Django project the report runs on by default: the
// design document's app, with its Dockerfile, gunicorn.conf.py and pipeline
// verbatim (see project/minimalwave-blog/SOURCE.md).
//
//go:embed all:project/minimalwave-blog
var project embed.FS

// projectFS returns the embedded project's files.
func projectFS() fs.FS {
	sub, err := fs.Sub(project, "project/"+embeddedName)
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

// materialise writes the embedded project into a new temporary directory:
// the packages read real directories (hashFiles walks, build contexts).
func materialise() (string, error) {
	dir, err := os.MkdirTemp("", "deployplan-"+embeddedName+"-")
	if err != nil {
		return "", err
	}
	if err := os.CopyFS(dir, projectFS()); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

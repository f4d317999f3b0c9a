package gunicornconf

import (
	"io"
	"strings"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// wsgiApp is the tiny WSGI application the real-server tests boot. It
// reports the URL scheme gunicorn derived (to test forwarded_allow_ips) and
// its worker's PID.
const wsgiApp = `import os


def application(environ, start_response):
    body = ("scheme=%s pid=%d\n" % (environ["wsgi.url_scheme"], os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`

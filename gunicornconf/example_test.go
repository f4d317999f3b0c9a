package gunicornconf_test

import (
	"fmt"
	"os"

	"github.com/deploykit/deploykit/gunicornconf"
)

func ExampleConfig_Validate() {
	src := []byte(`import multiprocessing

bind = "0.0.0.0:8000"
workers = multiprocessing.cpu_count() * 2 + 1
worker = 4
keepalive = 2
accesslog = "-"
`)
	cfg, err := gunicornconf.Load("gunicorn.conf.py", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range cfg.Validate(gunicornconf.Options{}) {
		fmt.Printf("%d %s %s %s\n", f.Pos.Line, f.Rule, f.Severity, f.Setting)
	}
	// Output:
	// 4 GC008 warning workers
	// 5 GC001 error worker
	// 6 GC004 warning keepalive
}

func ExampleSizeForSKU() {
	sku, _ := gunicornconf.LookupSKU("P1v3")
	s, _ := gunicornconf.SizeForSKU(sku, gunicornconf.SizingInput{WorkerClass: "sync"})
	for _, step := range s.Steps {
		fmt.Println(step)
	}
	// Output:
	// plan P1v3 (PremiumV3): 2 vCPU, 8192 MB RAM
	// cores = ceil(2 CPUs) = 2
	// CPU limit = 2 x 2 cores + 1 = 5 workers (sync)
	// memory limit = floor((8192 MB - 256 MB reserved) / 150 MB per worker) = 52 workers
	// workers = min(5, 52) = 5 (limited by cpu)
	// memory use = 5 workers x 150 MB = 750 MB of 8192 MB
	// concurrency = 5 workers x 1 threads = 5 requests at once
}

func ExampleRender() {
	sku, _ := gunicornconf.LookupSKU("B1")
	r, err := gunicornconf.Render(gunicornconf.RenderOptions{App: "mysite.wsgi:application", SKU: &sku})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.StartupCommand)
	fmt.Println(r.Sizing.WorkerClass, r.Sizing.Workers, r.Sizing.Threads)
	_ = os.WriteFile(os.DevNull, r.Config, 0o644)
	// Output:
	// gunicorn --config gunicorn.conf.py --bind=0.0.0.0:8000 --timeout=30 mysite.wsgi:application
	// gthread 2 2
}

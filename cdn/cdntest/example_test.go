package cdntest_test

import (
	"context"
	"fmt"

	"github.com/deploykit/deploykit/cdn"
	"github.com/deploykit/deploykit/cdn/cdntest"
)

func Example() {
	const sub = "00000000-0000-0000-0000-000000000000"
	fd := cdntest.New(sub, nil)
	f, _ := fd.Factory(sub)
	clients := cdn.NewClients(f)

	spec, _ := cdn.ParseSpec("cdn.json", []byte(`{"resourceGroup": "rg", "profile": {"name": "fd"},
		"endpoint": {"name": "static"}, "origin": {"hostName": "app.azurewebsites.net"}}`))
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		state, _ := cdn.ReadState(ctx, clients, spec)
		p, _ := cdn.PlanChanges(spec, state, sub)
		fmt.Println(p.Summary())
		_ = cdn.Apply(ctx, clients, p)
	}
	writes := 0
	for _, r := range fd.Recorder().Requests() {
		if r.Method != "GET" {
			writes++
		}
	}
	fmt.Println("writes:", writes)
	// Output:
	// 5 to create, 0 to change
	// 0 to create, 0 to change
	// writes: 5
}

package appservice_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/armtest"
)

// The seed's §4 commands, corrected (S1, a scale-in rule, per-site
// scaling for --number-of-workers), planned and applied against the
// stateful fake. The metrics are ARM requests per operation; polls of
// long-running operations count as reads.
func BenchmarkPlanSeed(b *testing.B) {
	t := b
	az := newAzure(t, "B1")
	spec, err := appservice.LoadSpec("testdata/seed-fixed.json")
	if err != nil {
		b.Fatal(err)
	}
	c, rec := az.client(t, nil)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.Plan(ctx, spec); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(rec.Count(armtest.IsRead))/float64(b.N), "reads/op")
	b.ReportMetric(float64(rec.Count(armtest.IsWrite))/float64(b.N), "writes/op")
}

func BenchmarkApplySeed(b *testing.B) {
	t := b
	spec, err := appservice.LoadSpec("testdata/seed-fixed.json")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var reads, writes, lroPolls int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		az := newAzure(t, "B1")
		c, rec := az.client(t, nil)
		b.StartTimer()
		if _, err := c.Apply(ctx, spec, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, q := range rec.Requests() {
			switch {
			case armtest.IsWrite(q):
				writes++
			case strings.HasPrefix(q.API, "PlansClient.Begin"):
				lroPolls++
			default:
				reads++
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
	b.ReportMetric(float64(lroPolls)/float64(b.N), "polls/op")
}

func BenchmarkApplyNoChange(b *testing.B) {
	t := b
	spec, err := appservice.LoadSpec("testdata/seed-fixed.json")
	if err != nil {
		b.Fatal(err)
	}
	az := newAzure(t, "B1")
	c, _ := az.client(t, nil)
	ctx := context.Background()
	if _, err := c.Apply(ctx, spec, nil); err != nil {
		b.Fatal(err)
	}
	c, rec := az.client(t, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Apply(ctx, spec, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(rec.Count(armtest.IsRead))/float64(b.N), "reads/op")
	b.ReportMetric(float64(rec.Count(armtest.IsWrite))/float64(b.N), "writes/op")
}

// A week of one-minute CPU samples through the engine.
func BenchmarkSimulateWeek(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("time,CpuPercentage\n")
	for m := 0; m < 7*24*60; m++ {
		load := 40 + 35*float64((m/90)%3) // steps every 90 minutes: 40, 75, 110
		fmt.Fprintf(&sb, "%d,%g\n", m, load)
	}
	tr, err := appservice.ParseTrace("week.csv", strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	a := &appservice.Autoscale{Name: "as", Min: 1, Max: 3, Default: 1, Rules: []appservice.RuleSpec{
		{When: "CpuPercentage > 70 avg 5m", Scale: "out 1"}, {When: "CpuPercentage < 30 avg 10m", Scale: "in 1", Cooldown: "10m"}}}
	b.ResetTimer()
	var res *appservice.SimResult
	for i := 0; i < b.N; i++ {
		if res, err = appservice.Simulate(a, tr, appservice.SimulateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Events)), "events")
	b.ReportMetric(float64(len(res.Prevented)), "flaps-prevented")
}

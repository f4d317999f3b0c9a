package cdn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func totals(t *testing.T, u Usage) map[string]float64 {
	t.Helper()
	ests, err := EstimateCost(Prices(), u)
	require.NoError(t, err)
	out := map[string]float64{}
	for _, e := range ests {
		out[e.Offer.ID] = e.Total
	}
	return out
}

// The expected totals are Microsoft's own worked scenarios in
// articles/frontdoor/compare-cdn-front-door-price.md (ms.date 2026-05-04).
func TestCostMicrosoftScenarios(t *testing.T) {
	cases := []struct {
		name              string
		u                 Usage
		classic, standard float64
	}{
		{"1: static site, 5 TB, 100M requests", Usage{EgressGB: 5000, Requests: 100e6, OriginGB: 2.5}, 405, 540.05},
		{"2: 50 TB, 500M requests", Usage{EgressGB: 50000, Requests: 500e6, OriginGB: 12.5}, 3810, 3955.25},
		{"3: downloads, 150 TB, 1.5M requests", Usage{EgressGB: 150000, Requests: 1.5e6, OriginGB: 40}, 9410, 9207.15},
		{"4: 50 TB, 500M requests, 10 rules", Usage{EgressGB: 50000, Requests: 500e6, OriginGB: 12.5, Rules: 10}, 4115, 3955.25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := totals(t, c.u)
			assert.InDelta(t, c.classic, got[OfferClassic], 0.001)
			assert.InDelta(t, c.standard, got[OfferFrontDoorStandard], 0.001)
		})
	}
}

func TestCostPremiumAndAppService(t *testing.T) {
	got := totals(t, Usage{EgressGB: 500, Requests: 20e6, OriginGB: -1})
	// Premium: 330 + 500*0.083 + 25 GB*0.02 + 2000*0.015.
	assert.InDelta(t, 330+41.5+0.5+30, got[OfferFrontDoorPremium], 0.001)
	// App Service: first 100 GB free, 400 GB * 0.087.
	assert.InDelta(t, 34.8, got[OfferAppService], 0.001)
	got = totals(t, Usage{EgressGB: 50, Requests: 1e6, OriginGB: -1})
	assert.Zero(t, got[OfferAppService], "within the free 100 GB")

	_, err := EstimateCost(Prices(), Usage{EgressGB: -1})
	assert.Error(t, err)
}

func TestPriceTableHasSources(t *testing.T) {
	p := Prices()
	assert.NotEmpty(t, p.Captured)
	assert.NotEmpty(t, p.Refresh)
	for _, o := range p.Offers {
		assert.NotEmpty(t, o.Source, o.ID)
	}
}

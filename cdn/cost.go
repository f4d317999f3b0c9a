package cdn

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

//go:embed prices.json
var pricesJSON []byte

// PriceTier is one band of per-GB egress pricing.
type PriceTier struct {
	// UpToGB is the band's upper bound in GB per month (cumulative).
	UpToGB float64 `json:"up_to_gb"`
	// PerGB is the price of each GB in the band.
	PerGB float64 `json:"per_gb"`
}

// RulePricing is how rules-engine rules are billed.
type RulePricing struct {
	// Free is how many rules cost nothing; -1 means every rule is free.
	Free int `json:"free"`
	// PerRuleMonthly is the price of each rule above Free.
	PerRuleMonthly float64 `json:"per_rule_monthly"`
	// PerMillionRequests is charged on every request when any rule exists.
	PerMillionRequests float64 `json:"per_million_requests"`
}

// Offer is one way of serving static files, with its list prices.
type Offer struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	BaseMonthly    float64     `json:"base_monthly"`
	FreeGB         float64     `json:"free_gb"`
	EgressTiers    []PriceTier `json:"egress_tiers"`
	OriginPerGB    float64     `json:"origin_per_gb"`
	RequestsPer10k float64     `json:"requests_per_10k"`
	Rules          RulePricing `json:"rules"`
	// Retired is set for offers that take no new customers.
	Retired string `json:"retired,omitempty"`
	// Source names where the prices come from.
	Source string `json:"source"`
}

// PriceTable is the embedded price list (prices.json): list prices in one
// currency and zone, with the date they were captured and where to refresh them.
type PriceTable struct {
	Currency string  `json:"currency"`
	Zone     string  `json:"zone"`
	Captured string  `json:"captured"`
	Refresh  string  `json:"refresh"`
	GBPerTB  float64 `json:"gb_per_tb"`
	Offers   []Offer `json:"offers"`
}

// Prices returns a copy of the embedded price table.
func Prices() PriceTable {
	var t PriceTable
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		panic("cdn: embedded prices.json: " + err.Error()) // a build defect, caught by tests
	}
	return t
}

// Offer IDs in the embedded table.
const (
	OfferFrontDoorStandard = "afd-standard"
	OfferFrontDoorPremium  = "afd-premium"
	OfferClassic           = "cdn-classic"
	OfferAppService        = "app-service"
)

// Usage is a month of static-file traffic.
type Usage struct {
	// EgressGB is data sent to clients, in GB (1 TB = 1000 GB, as
	// Microsoft's price examples count).
	EgressGB float64
	// Requests is client requests per month.
	Requests float64
	// OriginGB is data pulled from the origin by the edge; negative means
	// derive it from CacheHitRatio.
	OriginGB float64
	// CacheHitRatio (0..1) derives OriginGB = EgressGB * (1 - ratio) when
	// OriginGB is negative; 0 then means 0.95.
	CacheHitRatio float64
	// Rules is the number of rules-engine rules.
	Rules int
}

// CostLine is one component of an estimate.
type CostLine struct {
	Item   string  `json:"item"`
	Amount float64 `json:"amount"`
	Detail string  `json:"detail"`
}

// Estimate is the monthly cost of one offer for a Usage.
type Estimate struct {
	Offer Offer      `json:"offer"`
	Lines []CostLine `json:"lines"`
	Total float64    `json:"total"`
	Notes []string   `json:"notes,omitempty"`
}

// EstimateCost prices u for every offer of the table, in table order.
func EstimateCost(t PriceTable, u Usage) ([]Estimate, error) {
	if u.EgressGB < 0 || u.Requests < 0 || u.Rules < 0 || math.IsNaN(u.EgressGB) || math.IsInf(u.EgressGB, 0) || math.IsNaN(u.Requests) || math.IsInf(u.Requests, 0) {
		return nil, fmt.Errorf("cost: egress, requests and rules must be finite and not negative")
	}
	origin := u.OriginGB
	if origin < 0 {
		ratio := u.CacheHitRatio
		if ratio == 0 {
			ratio = 0.95
		}
		if ratio < 0 || ratio > 1 {
			return nil, fmt.Errorf("cost: cache hit ratio %v: want 0..1", ratio)
		}
		origin = u.EgressGB * (1 - ratio)
	}
	var out []Estimate
	for _, o := range t.Offers {
		e := Estimate{Offer: o}
		add := func(item string, amount float64, detail string) {
			amount = round2(amount)
			e.Lines = append(e.Lines, CostLine{Item: item, Amount: amount, Detail: detail})
			e.Total += amount
		}
		add("base fee", o.BaseMonthly, "per profile per month")
		eg, detail, beyond := tiered(o, u.EgressGB)
		add("egress to clients", eg, detail)
		if beyond {
			e.Notes = append(e.Notes, fmt.Sprintf("egress above %.0f GB is priced at the last known rate; check the pricing page", o.EgressTiers[len(o.EgressTiers)-1].UpToGB))
		}
		if o.OriginPerGB > 0 {
			add("egress edge to origin", origin*o.OriginPerGB, fmt.Sprintf("%s GB * $%g/GB", num(origin), o.OriginPerGB))
		}
		if o.RequestsPer10k > 0 {
			add("requests", u.Requests/10000*o.RequestsPer10k, fmt.Sprintf("%s requests * $%g/10k", num(u.Requests), o.RequestsPer10k))
		}
		if u.Rules > 0 && o.Rules.Free >= 0 {
			paid := u.Rules - o.Rules.Free
			if paid < 0 {
				paid = 0
			}
			add("rules engine rules", float64(paid)*o.Rules.PerRuleMonthly, fmt.Sprintf("%d rules, first %d free, $%g/rule", u.Rules, o.Rules.Free, o.Rules.PerRuleMonthly))
			add("rules engine requests", u.Requests/1e6*o.Rules.PerMillionRequests, fmt.Sprintf("%s requests * $%g/M", num(u.Requests), o.Rules.PerMillionRequests))
		}
		if o.Retired != "" {
			e.Notes = append(e.Notes, "not available for new profiles: "+o.Retired)
		}
		e.Total = round2(e.Total)
		out = append(out, e)
	}
	return out, nil
}

func tiered(o Offer, gb float64) (amount float64, detail string, beyond bool) {
	rest := gb - o.FreeGB
	var parts []string
	if o.FreeGB > 0 {
		parts = append(parts, fmt.Sprintf("first %s GB free", num(o.FreeGB)))
	}
	lower := o.FreeGB
	for i, tr := range o.EgressTiers {
		if rest <= 0 {
			break
		}
		band := tr.UpToGB - lower
		if i == len(o.EgressTiers)-1 && rest > band {
			band = rest
			beyond = true
		}
		use := math.Min(rest, band)
		amount += use * tr.PerGB
		parts = append(parts, fmt.Sprintf("%s GB * $%g/GB", num(use), tr.PerGB))
		rest -= use
		lower = tr.UpToGB
	}
	if len(parts) == 0 {
		parts = append(parts, "0 GB")
	}
	return amount, strings.Join(parts, " + "), beyond
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

// WriteCostText writes each estimate's lines and total, and the table's
// source and date.
func WriteCostText(w io.Writer, t PriceTable, ests []Estimate) error {
	var b strings.Builder
	for _, e := range ests {
		fmt.Fprintf(&b, "%s: $%.2f/month\n", e.Offer.Name, e.Total)
		for _, l := range e.Lines {
			if l.Amount == 0 && l.Item == "base fee" {
				continue
			}
			fmt.Fprintf(&b, "  %-22s $%10.2f  %s\n", l.Item, l.Amount, l.Detail)
		}
		for _, n := range e.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
	}
	fmt.Fprintf(&b, "prices: %s list prices, %s, captured %s; refresh from %s\n", t.Currency, t.Zone, t.Captured, t.Refresh)
	_, err := io.WriteString(w, b.String())
	return err
}

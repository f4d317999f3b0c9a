package appservice

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed data/tiers.json
var tiersJSON []byte

//go:embed data/prices.json
var pricesJSON []byte

// Tier is what one App Service pricing tier allows (Linux). The values come
// from the embedded data/tiers.json, which names its source and date.
type Tier struct {
	// Name is the ARM tier name, e.g. "Basic", "Standard", "PremiumV3".
	Name string `json:"tier"`
	// Rank orders tiers: 0 Free/Shared, 1 Basic, 2 Standard, 3 Premium, 4 Isolated.
	Rank int `json:"rank"`
	// AlwaysOn reports whether Always On is available.
	AlwaysOn bool `json:"always_on"`
	// Autoscale reports whether autoscale rules are available.
	Autoscale bool `json:"autoscale"`
	// Slots is the number of deployment slots per app besides production.
	Slots int `json:"slots"`
	// MaxInstances is the largest instance count of a plan.
	MaxInstances int `json:"max_instances"`
	// PerSiteScaling reports whether per-app scaling is available.
	PerSiteScaling bool `json:"per_site_scaling"`
}

// SKUTable maps SKU names to tiers.
type SKUTable struct {
	// Source and Date say where the facts come from and when they were read.
	Source string `json:"source"`
	Date   string `json:"date"`
	Tiers  []Tier `json:"tiers"`
	// SKUs maps a SKU name ("B1", "P1v3") to its tier name.
	SKUs map[string]string `json:"skus"`
}

// PriceTable holds monthly list prices per instance.
type PriceTable struct {
	Source        string             `json:"source"`
	Date          string             `json:"date"`
	Region        string             `json:"region"`
	Currency      string             `json:"currency"`
	HoursPerMonth int                `json:"hours_per_month"`
	Monthly       map[string]float64 `json:"monthly_per_instance"`
	UsageBased    map[string]string  `json:"usage_based"`
}

var (
	tablesOnce sync.Once
	skuTable   SKUTable
	priceTable PriceTable
	tablesErr  error
)

func loadTables() {
	if err := json.Unmarshal(tiersJSON, &skuTable); err != nil {
		tablesErr = fmt.Errorf("appservice: embedded tiers.json: %w", err)
		return
	}
	if err := json.Unmarshal(pricesJSON, &priceTable); err != nil {
		tablesErr = fmt.Errorf("appservice: embedded prices.json: %w", err)
	}
}

// SKUs returns the embedded SKU table.
func SKUs() SKUTable {
	tablesOnce.Do(loadTables)
	return skuTable
}

// Prices returns the embedded price table.
func Prices() PriceTable {
	tablesOnce.Do(loadTables)
	return priceTable
}

// TierOf returns the tier of a SKU name (case-insensitive), or an error
// naming the known SKUs.
func TierOf(sku string) (Tier, error) {
	t := SKUs()
	if tablesErr != nil {
		return Tier{}, tablesErr
	}
	for name, tier := range t.SKUs {
		if strings.EqualFold(name, sku) {
			for _, x := range t.Tiers {
				if x.Name == tier {
					return x, nil
				}
			}
		}
	}
	known := make([]string, 0, len(t.SKUs))
	for k := range t.SKUs {
		known = append(known, k)
	}
	sort.Strings(known)
	return Tier{}, fmt.Errorf("unknown SKU %q (known: %s)", sku, strings.Join(known, ", "))
}

// canonicalSKU returns the table's spelling of sku ("p1v3" → "P1v3").
func canonicalSKU(sku string) string {
	for name := range SKUs().SKUs {
		if strings.EqualFold(name, sku) {
			return name
		}
	}
	return sku
}

// MonthlyPrice returns the monthly list price of instances of sku, and
// false when the table has no price for it.
func MonthlyPrice(sku string, instances int) (float64, bool) {
	p, ok := Prices().Monthly[canonicalSKU(sku)]
	if !ok {
		return 0, false
	}
	if instances < 1 {
		instances = 1
	}
	return p * float64(instances), true
}

func priceBasis() string {
	p := Prices()
	return fmt.Sprintf("list price, %s, %s, data/prices.json dated %s", p.Region, p.Currency, p.Date)
}

package check

import (
	"fmt"
	"math"
	"strings"
)

// CVSSScore computes the CVSS 3.1 base score of a vector such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H". The catalogue keeps only
// vectors so that scores can never disagree with them.
func CVSSScore(vector string) (float64, error) {
	if vector == "" {
		return 0, nil
	}
	parts := strings.Split(vector, "/")
	if len(parts) < 9 || (parts[0] != "CVSS:3.1" && parts[0] != "CVSS:3.0") {
		return 0, fmt.Errorf("cvss: not a CVSS 3.x vector: %q", vector)
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			return 0, fmt.Errorf("cvss: bad metric %q in %q", p, vector)
		}
		m[k] = v
	}
	weights := []struct {
		metric string
		values map[string]float64
	}{
		{"AV", map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}},
		{"AC", map[string]float64{"L": 0.77, "H": 0.44}},
		{"UI", map[string]float64{"N": 0.85, "R": 0.62}},
		{"C", map[string]float64{"H": 0.56, "L": 0.22, "N": 0}},
		{"I", map[string]float64{"H": 0.56, "L": 0.22, "N": 0}},
		{"A", map[string]float64{"H": 0.56, "L": 0.22, "N": 0}},
	}
	w := map[string]float64{}
	for _, x := range weights {
		v, ok := x.values[m[x.metric]]
		if !ok {
			return 0, fmt.Errorf("cvss: missing or bad %s in %q", x.metric, vector)
		}
		w[x.metric] = v
	}
	changed := m["S"] == "C"
	if m["S"] != "C" && m["S"] != "U" {
		return 0, fmt.Errorf("cvss: missing or bad S in %q", vector)
	}
	var pr float64
	switch m["PR"] {
	case "N":
		pr = 0.85
	case "L":
		pr = 0.62
		if changed {
			pr = 0.68
		}
	case "H":
		pr = 0.27
		if changed {
			pr = 0.5
		}
	default:
		return 0, fmt.Errorf("cvss: missing or bad PR in %q", vector)
	}
	iss := 1 - (1-w["C"])*(1-w["I"])*(1-w["A"])
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	exploit := 8.22 * w["AV"] * w["AC"] * pr * w["UI"]
	if impact <= 0 {
		return 0, nil
	}
	if changed {
		return roundUp(math.Min(1.08*(impact+exploit), 10)), nil
	}
	return roundUp(math.Min(impact+exploit, 10)), nil
}

// roundUp is the CVSS 3.1 Roundup function (Appendix A of the specification).
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return (math.Floor(float64(i)/10000) + 1) / 10
}

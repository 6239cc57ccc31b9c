package check

import (
	"errors"
	"fmt"
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// CVSS versions that CVSSVersion reports and CVSSScore scores.
const (
	CVSS30 = "3.0"
	CVSS31 = "3.1"
	CVSS40 = "4.0"
)

// maxCVSSVector bounds the input: the longest valid 4.0 vector, with every
// environmental and supplemental metric, is under 200 bytes.
const maxCVSSVector = 512

// CVSSVersion names the CVSS version a vector declares in its prefix
// ("CVSS:3.1/…" → "3.1"), or "" when it declares none that Khiên scores.
func CVSSVersion(vector string) string {
	for _, v := range []string{CVSS30, CVSS31, CVSS40} {
		if strings.HasPrefix(vector, "CVSS:"+v+"/") {
			return v
		}
	}
	return ""
}

// CVSSScore computes the base score of a CVSS 3.0, 3.1 or 4.0 vector such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" (for 4.0, the CVSS-B/BT/BE/
// BTE score that the vector's metrics give). An empty vector scores 0. The
// catalogue keeps only vectors so that scores can never disagree with them.
func CVSSScore(vector string) (float64, error) {
	if vector == "" {
		return 0, nil
	}
	if len(vector) > maxCVSSVector {
		return 0, fmt.Errorf("cvss: vector of %d bytes is longer than %d", len(vector), maxCVSSVector)
	}
	switch CVSSVersion(vector) {
	case CVSS30:
		c, err := gocvss30.ParseVector(vector)
		if err != nil {
			return 0, cvssError(vector, err, func(k, v string) error { return (&gocvss30.CVSS30{}).Set(k, v) })
		}
		return c.BaseScore(), nil
	case CVSS31:
		c, err := gocvss31.ParseVector(vector)
		if err != nil {
			return 0, cvssError(vector, err, func(k, v string) error { return (&gocvss31.CVSS31{}).Set(k, v) })
		}
		return c.BaseScore(), nil
	case CVSS40:
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return 0, cvssError(vector, err, func(k, v string) error { return (&gocvss40.CVSS40{}).Set(k, v) })
		}
		return c.Score(), nil
	}
	prefix, _, _ := strings.Cut(vector, "/")
	return 0, fmt.Errorf("cvss: %q does not begin with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ (found %q)", vector, prefix)
}

// cvssError turns the library's parse error into one that names the metric
// at fault. The library reports a bad value or a wrong order without saying
// where, so each metric is tried on its own with set to find the first one
// that does not hold.
func cvssError(vector string, err error, set func(metric, value string) error) error {
	var (
		missing  *gocvss31.ErrMissing
		twice    *gocvss31.ErrDefinedN
		unknown  *gocvss31.ErrInvalidMetric
		missing0 *gocvss30.ErrMissing
		twice0   *gocvss30.ErrDefinedN
		unknown0 *gocvss30.ErrInvalidMetric
		unknown4 *gocvss40.ErrInvalidMetric
	)
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("cvss: %q lacks the base metric %s", vector, missing.Abv)
	case errors.As(err, &missing0):
		return fmt.Errorf("cvss: %q lacks the base metric %s", vector, missing0.Abv)
	case errors.As(err, &twice):
		return fmt.Errorf("cvss: %q sets the metric %s more than once", vector, twice.Abv)
	case errors.As(err, &twice0):
		return fmt.Errorf("cvss: %q sets the metric %s more than once", vector, twice0.Abv)
	case errors.As(err, &unknown):
		return fmt.Errorf("cvss: %q has an unknown metric %q", vector, unknown.Abv)
	case errors.As(err, &unknown0):
		return fmt.Errorf("cvss: %q has an unknown metric %q", vector, unknown0.Abv)
	case errors.As(err, &unknown4):
		return fmt.Errorf("cvss: %q has an unknown metric %q", vector, unknown4.Abv)
	case errors.Is(err, gocvss40.ErrInvalidMetricOrder):
		return fmt.Errorf("cvss: %q lacks a base metric or lists its metrics out of the order CVSS 4.0 requires (AV/AC/AT/PR/UI/VC/VI/VA/SC/SI/SA first)", vector)
	case errors.Is(err, gocvss40.ErrTooShortVector):
		return fmt.Errorf("cvss: %q lacks base metrics", vector)
	}
	_, metrics, _ := strings.Cut(vector, "/")
	for _, m := range strings.Split(metrics, "/") {
		k, v, ok := strings.Cut(m, ":")
		if !ok {
			return fmt.Errorf("cvss: %q: %q is not METRIC:VALUE", vector, m)
		}
		if set(k, v) != nil {
			return fmt.Errorf("cvss: %q: %q is not a valid value of the metric %s", vector, v, k)
		}
	}
	return fmt.Errorf("cvss: %q: %w", vector, err)
}

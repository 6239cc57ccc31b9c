package cli

import "testing"

func TestScanConnectRateFlag(t *testing.T) {
	if def := newScanCmd().Flags().Lookup("per-host-connect-rate").DefValue; def != "20" {
		t.Errorf("--per-host-connect-rate defaults to %s, want 20", def)
	}
	tests := []struct {
		flag, want float64
	}{{20, 20}, {50, 50}, {0, -1}} // 0 on the command line is unlimited
	for _, tt := range tests {
		f := scanFlags{ports: "80", lang: "vi", perHostConnRate: tt.flag}
		cfg, err := f.config()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.PerHostConnRate != tt.want {
			t.Errorf("--per-host-connect-rate %v: PerHostConnRate = %v, want %v", tt.flag, cfg.PerHostConnRate, tt.want)
		}
	}
}

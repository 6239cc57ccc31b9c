package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/storage"
)

// largeWorkbook is a valid inventory of systems systems with four assets
// and three controls each, as one agency's file.
func largeWorkbook(tb testing.TB, systems int) []byte {
	tb.Helper()
	var b inventory.Batch
	for i := range systems {
		name := fmt.Sprintf("Hệ thống số %05d", i)
		b.Systems = append(b.Systems, inventory.SystemRow{System: inventory.System{Name: name, Kind: "internal_app", Level: 2, Status: "operating", Users: 100,
			DeviceCounts: inventory.DeviceCounts{Servers: 2}}})
		host := fmt.Sprintf("10.%d.%d", i/250, i%250)
		for _, a := range []inventory.Asset{
			{Kind: "domain", Value: fmt.Sprintf("ht%05d.cantho.gov.vn", i)},
			{Kind: "ip", Value: host + ".10"},
			{Kind: "cidr", Value: host + ".0/28"},
			{Kind: "server", Value: fmt.Sprintf("srv%05d", i), IPs: host + ".11", OS: "Ubuntu Server", OSVersion: "22.04"},
		} {
			b.Assets = append(b.Assets, inventory.AssetRow{Systems: []string{name}, Asset: a})
		}
		for _, c := range []string{"firewall", "antivirus", "backup"} {
			b.Controls = append(b.Controls, inventory.ControlRow{SystemName: name, Control: inventory.Control{Control: c, Status: "yes"}})
		}
	}
	var buf bytes.Buffer
	if err := workbook.Write(&buf, &b); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// peakHeap samples the heap while fn runs and returns its peak in bytes.
func peakHeap(fn func()) uint64 {
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak
}

// BenchmarkImportLarge reads and imports 5,000 systems with 20,000 assets
// and 15,000 controls into an empty database (KHIEN_BENCH_DB=postgres for
// PostgreSQL). Figures are recorded in docs/benchmarks.md.
func BenchmarkImportLarge(b *testing.B) {
	data := largeWorkbook(b, 5000)
	kind := os.Getenv("KHIEN_BENCH_DB")
	if kind == "" {
		kind = "sqlite"
	}
	ctx := context.Background()
	actor := access.SystemActor("bench")
	b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		store := storage.New(dbtest.Open(b, kind))
		root, err := identity.RootOrg(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		org, err := identity.CreateOrg(ctx, store, actor, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		peak = max(peak, peakHeap(func() {
			batch, err := workbook.ReadBytes(data, workbook.DefaultLimits)
			if err != nil || !batch.Valid() {
				b.Fatalf("read: %v %v", err, batch.Problems)
			}
			res, err := inventory.Import(ctx, store, actor, org.ID, batch, importing.Options{})
			if err != nil || !res.Written || res.Counts[inventory.AssetsSheet.Name].Created != 20000 {
				b.Fatalf("import: %v %+v", err, res)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

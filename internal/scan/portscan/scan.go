package portscan

import (
	"context"
	"net"
	"slices"
	"sync"
)

// ConnectFunc opens a TCP connection to a port of the scanned host under the
// engine's limits.
type ConnectFunc func(ctx context.Context, port int) (net.Conn, error)

// Scan probes ports with workers parallel connect attempts and returns the
// open ones in ascending order. A port is open when the handshake completes;
// refused and timed-out attempts are closed or filtered and not reported.
func Scan(ctx context.Context, connect ConnectFunc, ports []int, workers int) []int {
	jobs := make(chan int)
	var (
		mu   sync.Mutex
		open []int
		wg   sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Go(func() {
			for p := range jobs {
				c, err := connect(ctx, p)
				if err != nil {
					continue
				}
				c.Close()
				mu.Lock()
				open = append(open, p)
				mu.Unlock()
			}
		})
	}
feed:
	for _, p := range ports {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	slices.Sort(open)
	return open
}

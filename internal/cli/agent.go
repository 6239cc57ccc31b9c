package cli

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/agent/client"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scanning/remote"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

// agentFlags are the flags of `khien agent`.
type agentFlags struct {
	server, token, name string
	interval            time.Duration
}

func newAgentCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Chạy tác tử rà quét trong mạng của cơ quan / run a scan agent inside an agency network",
		Long: "Chạy tác tử rà quét: chỉ kết nối ra máy chủ Khiên qua HTTPS bằng mã truy cập của tác tử, gửi tín hiệu hoạt động và nhận việc; dừng bằng Ctrl+C.\n" +
			"Runs a scan agent: it only connects out to the Khiên server over HTTPS with the agent's token, sends heartbeats and takes work; Ctrl+C stops it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loop, err := f.loop()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			slog.Info("khien agent started", "server", f.server, "hostname", loop.Info.Hostname, "interval", loop.Interval, "version", Version)
			if err := loop.Run(ctx); err != nil {
				if client.IsUnauthorized(err) {
					return validation.Say("cli.agent.refused")
				}
				return err
			}
			slog.Info("khien agent stopped")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "the Khiên server's address, https://…")
	fl.StringVar(&f.token, "token", os.Getenv("KHIEN_AGENT_TOKEN"), "the agent's token, khag_… (env KHIEN_AGENT_TOKEN, which keeps it out of the process list)")
	fl.StringVar(&f.name, "name", "", "the host name the agent reports (default: this machine's)")
	fl.DurationVar(&f.interval, "interval", agent.DefaultInterval, "time between heartbeats")
	return cmd
}

// loop checks the flags and builds the agent's loop.
func (f agentFlags) loop() (client.Loop, error) {
	u, err := url.Parse(f.server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return client.Loop{}, validation.Say("cli.agent.server", f.server)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		// The token would cross the network in clear: allowed for a test
		// bed, said out loud.
		slog.Warn("khien agent: plain HTTP to a remote server exposes the agent's token; use https://", "server", f.server)
	}
	if len(f.token) <= len(agent.TokenPrefix) || f.token[:len(agent.TokenPrefix)] != agent.TokenPrefix {
		return client.Loop{}, validation.Say("cli.agent.token")
	}
	if f.interval < time.Second {
		return client.Loop{}, validation.Say("cli.agent.interval")
	}
	host := f.name
	if host == "" {
		host, _ = os.Hostname()
	}
	c := client.New(f.server, f.token, nil)
	c.UserAgent = "khien-agent/" + Version
	info := agent.HeartbeatInfo{Version: Version, Hostname: host}
	// After each heartbeat the agent runs the scans waiting for it, with
	// the scanner's defaults and the server's limits.
	work := func(ctx context.Context, c *client.Client) error {
		return remote.AgentWork(ctx, c, scan.Config{Lang: "vi"}, func(ctx context.Context) error { return c.Heartbeat(ctx, info) }, f.interval)
	}
	return client.Loop{Client: c, Interval: f.interval, Info: info, Work: work, Log: slog.Default()}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

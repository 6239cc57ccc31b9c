package cli

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mã truy cập API / API tokens",
	}
	cmd.AddCommand(newTokenCreateCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var db dbFlags
	var email, name, expires, lang string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Tạo mã truy cập API cho người dùng / create an API token (printed once, alone on the last line)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			life, err := parseLifetime(expires)
			if err != nil {
				return withExitCode(2, err)
			}
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			u, err := identity.UserByEmail(ctx, store, email)
			if err != nil {
				return withExitCode(2, validation.Say("cli.user.unknown", email))
			}
			var exp *time.Time
			if life > 0 {
				t := store.Now().Add(life)
				exp = &t
			}
			secret, hash, prefix := auth.NewToken()
			t, err := identity.CreateToken(ctx, store, access.SystemActor("cli"), u.ID, name, hash, prefix, exp)
			if errors.Is(err, identity.ErrMFANotEnrolled) {
				return withExitCode(2, validation.Say("cli.token.mfa_required", u.Email, validation.Say("role."+string(u.Role))))
			}
			if err != nil {
				return withExitCode(2, err)
			}
			l := i18n.Negotiate(lang)
			until := i18n.T(l, "cli.token.never")
			if t.ExpiresAt != nil {
				until = i18n.T(l, "cli.token.expires", t.ExpiresAt.In(i18n.Vietnam).Format("02/01/2006 15:04"))
			}
			say(cmd.OutOrStdout(), l, "cli.token.created", t.ID, t.Name, u.Email, i18n.T(l, "role."+string(u.Role)), until, secret)
			return nil
		},
	}
	db.register(cmd)
	langFlag(cmd, &lang)
	cmd.Flags().StringVar(&email, "user", "", "e-mail address of the token's user (required)")
	cmd.Flags().StringVar(&name, "name", "", "what the token is for (required)")
	cmd.Flags().StringVar(&expires, "expires", "90d", `lifetime: days ("90d"), a Go duration ("12h") or "never"`)
	cmd.MarkFlagRequired("user")
	cmd.MarkFlagRequired("name")
	return cmd
}

// parseLifetime reads "90d", "12h" or "never" (0).
func parseLifetime(s string) (time.Duration, error) {
	if s == "never" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, validation.Say("cli.token.bad_days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, validation.Say("cli.token.bad_lifetime", s)
	}
	return d, nil
}

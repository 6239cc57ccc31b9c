package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Quản lý người dùng / manage users",
	}
	cmd.AddCommand(newUserCreateCmd(), newUserResetPasswordCmd())
	return cmd
}

// passwordFlags choose where a new password comes from: standard input, or
// generated and printed once.
type passwordFlags struct{ stdin bool }

func (f *passwordFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.stdin, "password-stdin", false, "read the password from the first line of standard input (otherwise one is generated and printed)")
}

// password returns the new password's hash and, when generated, the password to print.
func (f *passwordFlags) password(ctx context.Context, in io.Reader, owner auth.PasswordOwner) (hash, generated string, err error) {
	password := ""
	if f.stdin {
		line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", "", validation.Say("cli.user.read_password", err.Error())
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = auth.GeneratePassword()
		generated = password
	}
	hash, err = auth.NewPassword(ctx, "password", password, owner)
	if _, invalid := validation.As(err); invalid {
		return "", "", withExitCode(2, err)
	}
	return hash, generated, err
}

func newUserCreateCmd() *cobra.Command {
	var db dbFlags
	var pw passwordFlags
	var email, name, role, org, lang string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Tạo người dùng / create a user",
		Long: "Create a user in an organisation (by code or id; the root when not given). Roles: " +
			strings.Join(roleNames(), ", ") + ". Users of roles admin, coordinator and auditor enrol MFA at their first sign-in.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if !access.Role(role).Valid() {
				return withExitCode(2, validation.Say("cli.user.unknown_role", role, strings.Join(roleNames(), ", ")))
			}
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			o, err := findOrg(ctx, store, org)
			if err != nil {
				return err
			}
			hash, generated, err := pw.password(ctx, cmd.InOrStdin(), auth.PasswordOwner{Email: email, Name: name})
			if err != nil {
				return err
			}
			u, err := identity.CreateUser(ctx, store, access.SystemActor("cli"), identity.UserInput{Email: email, Name: name, Role: access.Role(role), OrgID: o.ID, PasswordHash: hash})
			if err != nil {
				return withExitCode(2, err)
			}
			say(cmd.OutOrStdout(), lang, "cli.user.created", u.ID, u.Email, i18n.T(i18n.Negotiate(lang), "role."+string(u.Role)), o.Name)
			if generated != "" {
				say(cmd.OutOrStdout(), lang, "cli.user.password_once", generated)
			}
			return nil
		},
	}
	db.register(cmd)
	pw.register(cmd)
	langFlag(cmd, &lang)
	cmd.Flags().StringVar(&email, "email", "", "e-mail address (required)")
	cmd.Flags().StringVar(&name, "name", "", "full name")
	cmd.Flags().StringVar(&role, "role", string(access.Viewer), "role")
	cmd.Flags().StringVar(&org, "org", "", "organisation code or id (default: the root)")
	cmd.MarkFlagRequired("email")
	return cmd
}

func newUserResetPasswordCmd() *cobra.Command {
	var db dbFlags
	var pw passwordFlags
	var email, lang string
	var resetMFA bool
	cmd := &cobra.Command{
		Use:   "reset-password",
		Short: "Đặt lại mật khẩu / reset a user's password (ends their sessions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			u, err := identity.UserByEmail(ctx, store, email)
			if err != nil {
				return withExitCode(2, validation.Say("cli.user.unknown", email))
			}
			hash, generated, err := pw.password(ctx, cmd.InOrStdin(), auth.PasswordOwner{Email: u.Email, Name: u.Name})
			if err != nil {
				return err
			}
			actor := access.SystemActor("cli")
			if err := identity.SetPassword(ctx, store, actor, u.ID, hash, ""); err != nil {
				return err
			}
			if resetMFA {
				if err := identity.ResetMFA(ctx, store, actor, u.ID); err != nil {
					return err
				}
			}
			say(cmd.OutOrStdout(), lang, "cli.user.password_reset", u.Email)
			if resetMFA {
				say(cmd.OutOrStdout(), lang, "cli.user.mfa_removed")
			}
			if generated != "" {
				say(cmd.OutOrStdout(), lang, "cli.user.password_once", generated)
			}
			return nil
		},
	}
	db.register(cmd)
	pw.register(cmd)
	langFlag(cmd, &lang)
	cmd.Flags().StringVar(&email, "email", "", "e-mail address of the user (required)")
	cmd.Flags().BoolVar(&resetMFA, "reset-mfa", false, "also remove the user's MFA enrolment (lost phone)")
	cmd.MarkFlagRequired("email")
	return cmd
}

func roleNames() []string {
	out := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = string(r)
	}
	return out
}

// findOrg finds an organisation by id or code; empty means the root.
func findOrg(ctx context.Context, store *storage.Store, ref string) (identity.Org, error) {
	if ref == "" {
		return identity.RootOrg(ctx, store)
	}
	system := access.SystemActor("cli")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return identity.GetOrg(ctx, store, system, id)
	}
	o, err := identity.OrgByCode(ctx, store, system, ref)
	if !errors.Is(err, access.ErrNotFound) {
		return o, err
	}
	return identity.Org{}, withExitCode(2, validation.Say("cli.org.unknown", ref))
}

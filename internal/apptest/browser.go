package apptest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/browsertest"
)

// NewBrowser starts headless Chromium with a fresh profile and returns a
// chromedp context that is not signed in.
func (a *App) NewBrowser(t testing.TB) context.Context {
	t.Helper()
	return browsertest.New(t)
}

// Browser returns a chromedp context signed in as the user through the
// login form, on the overview page.
func (a *App) Browser(t testing.TB, u *User) context.Context {
	t.Helper()
	ctx := a.NewBrowser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, u.Email),
		chromedp.SendKeys(`input[name=password]`, u.Password),
		chromedp.SendKeys(`input[name=totp]`, a.SecondFactor(t, u)),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`nav.sidebar`),
	)
	if err != nil {
		t.Fatalf("apptest: browser sign-in of %s: %v", u.Email, err)
	}
	return ctx
}

package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BrowserTimeout bounds everything a test does in one browser context.
const BrowserTimeout = 90 * time.Second

// NewBrowser starts headless Chromium (/usr/bin/chromium, fresh profile,
// no network of its own) and returns a chromedp context that is not signed in.
func (a *App) NewBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), BrowserTimeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("apptest: start Chromium: %v", err)
	}
	return ctx
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

package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/browsertest"
	"github.com/khien/khien/internal/database/dbtest"
)

// TestBrowserLanguageSwitch opens the login page as a person would, reads it
// in Vietnamese, switches to English, and finds the choice remembered.
func TestBrowserLanguageSwitch(t *testing.T) {
	ts := newServer(t, dbtest.Open(t, "sqlite"))
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Đăng nhập" {
		t.Errorf("default heading %q, want Đăng nhập", heading)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href$="lang=en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="lang=en"][aria-current]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	button, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("button.primary")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(button) != "Sign in" {
		t.Errorf("after switching, button %q, want Sign in", button)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if after != "Sign in" {
		t.Errorf("language not remembered: heading %q", after)
	}
}

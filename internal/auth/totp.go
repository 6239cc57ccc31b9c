package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: the RFC 6238 defaults every authenticator app supports.
const (
	totpPeriod = 30
	// totpSkew accepts the code of the step before and after, for clocks
	// that drift; UseTOTPStep still lets each step be used once.
	totpSkew          = 1
	recoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a new TOTP secret offered to a user.
type Enrolment struct {
	Secret string
	URI    string // otpauth://totp/Khiên:email?secret=…&issuer=Khiên
	QRPNG  []byte // the URI as a QR code
}

// NewEnrolment generates a TOTP secret for the account with its otpauth URI
// and QR code.
func NewEnrolment(email string) (Enrolment, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return Enrolment{}, fmt.Errorf("generate TOTP secret: %w", err)
	}
	key, err := totpKey(email, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	if err != nil {
		return Enrolment{}, err
	}
	return enrolmentFor(key)
}

func enrolmentFor(key *otp.Key) (Enrolment, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("draw QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("encode QR code: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), QRPNG: buf.Bytes()}, nil
}

// TOTPCode is the code for secret at t (authenticator apps compute the same;
// tests use it to sign in).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// TOTPStep is the time step a code for t belongs to.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchTOTP returns the time step whose code equals code, within the skew.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	// Check the newest step first so a code valid for two steps is charged
	// to the later one (a replay can then never match an earlier step).
	for d := int64(totpSkew); d >= -totpSkew; d-- {
		step := TOTPStep(now) + d
		want, err := TOTPCode(secret, time.Unix(step*totpPeriod, 0))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// NewRecoveryCodes returns one-time recovery codes ("k7q2m-x9c4d") and their hashes.
func NewRecoveryCodes() (codes, hashes []string) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	for range recoveryCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		code := string(b[:5]) + "-" + string(b[5:])
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode hashes a recovery code as typed: case, spaces and dashes
// do not matter. The codes are random, so a plain SHA-256 suffices.
func HashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// totpKey rebuilds the key of a stored secret, to show its QR code again.
func totpKey(email, secret string) (*otp.Key, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/Khiên:" + email}
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", "Khiên")
	q.Set("period", strconv.Itoa(totpPeriod))
	q.Set("digits", "6")
	q.Set("algorithm", "SHA1")
	u.RawQuery = q.Encode()
	return otp.NewKeyFromURL(u.String())
}

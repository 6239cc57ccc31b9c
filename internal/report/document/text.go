package document

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DOCXText is the text of a DOCX's body (word/document.xml), a line per paragraph: what the
// report kinds' tests compare with the headings and figures they expect.
func DOCXText(docx []byte) (string, error) {
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return "", err
	}
	f, err := z.Open("word/document.xml")
	if err != nil {
		return "", err
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return "", err
	}
	return paragraphText(body)
}

// paragraphText is the text of WordprocessingML, a line per paragraph or line break.
func paragraphText(doc []byte) (string, error) {
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(doc))
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", fmt.Errorf("document.xml: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "t"
			if tok.Name.Local == "br" {
				b.WriteByte('\n')
			}
		case xml.EndElement:
			inText = false
			if tok.Name.Local == "p" {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(tok)
			}
		}
	}
}

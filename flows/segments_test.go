package flows

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		segments int
		ucs2     bool
	}{
		{"empty text takes no segment", "", 0, false},
		{"160 GSM characters fit one segment", strings.Repeat("a", 160), 1, false},
		{"161 GSM characters take two", strings.Repeat("a", 161), 2, false},
		{"306 GSM characters fit two segments", strings.Repeat("a", 306), 2, false},
		{"307 GSM characters take three", strings.Repeat("a", 307), 3, false},
		{"extension characters count twice", strings.Repeat("€", 80), 1, false},
		{"an extension character is not split across parts", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), 3, false},
		{"GSM accents stay GSM", "é à ñ ü Ñ", 1, false},
		{"an acute a forces UCS-2", "á", 1, true},
		{"70 UCS-2 characters fit one segment", strings.Repeat("á", 70), 1, true},
		{"134 UCS-2 characters fit two", strings.Repeat("á", 134), 2, true},
		{"135 UCS-2 characters take three", strings.Repeat("á", 135), 3, true},
		{"an emoji takes two UCS-2 units", strings.Repeat("😀", 35), 1, true},
		{"an emoji is not split across parts", "aa" + strings.Repeat("😀", 66), 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ucs2 := Segments(tt.text)
			if n != tt.segments || ucs2 != tt.ucs2 {
				t.Errorf("Segments = %d, ucs2 %v; want %d, %v", n, ucs2, tt.segments, tt.ucs2)
			}
			if FitsReply(tt.text) != (tt.segments <= MaxReplySegments) {
				t.Errorf("FitsReply disagrees with %d segments", tt.segments)
			}
		})
	}
}

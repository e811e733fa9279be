package main

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysOfALineAnswerOneGatherAfterAnother(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		numDigits []int // of each Gather the call meets, in order
		want      []string
	}{
		{"12 answers the menu with 1 and the next menu with 2", "12", []int{1, 1}, []string{"1", "2"}},
		{"lines after the first are pressed at later menus", "2,1", []int{1, 1}, []string{"2", "1"}},
		{"an empty line is silence", "2,,1", []int{1, 1, 1}, []string{"2", "", "1"}},
		{"a Gather waiting for # takes the keys up to it", "12#3", []int{0, 1}, []string{"12#", "3"}},
		{"a Gather waiting for # takes the rest of the line", "123", []int{0}, []string{"123"}},
		{"a Gather of two digits takes two", "123", []int{2, 1}, []string{"12", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := newScriptedKeys(tt.script)
			require.NoError(t, err)
			pad := &keypad{c: &cli{stdout: io.Discard}, src: src}
			var got []string
			for _, n := range tt.numDigits {
				keys, ok := pad.press(n)
				require.True(t, ok, "the caller is still on the line")
				got = append(got, keys)
			}
			assert.Equal(t, tt.want, got)
			_, ok := pad.press(1)
			assert.False(t, ok, "after the last line the caller hangs up")
		})
	}
}

func TestScriptedKeysRefuseWhatIsNoPhoneKey(t *testing.T) {
	tests := []struct{ name, script, want string }{
		{"a word", "hello", `'h' is not a phone key`},
		{"a letter after keys", "2,1a", `'a' is not a phone key`},
		{"a space inside a line", "1 2", `' ' is not a phone key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newScriptedKeys(tt.script)
			require.ErrorIs(t, err, errUsage)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestTypedKeysAskAgainAfterALineThatIsNoKeys(t *testing.T) {
	var out bytes.Buffer
	c := &cli{stdout: &out}
	src := &typedKeys{c: c, in: &lineReader{sc: bufio.NewScanner(strings.NewReader("hello\n21\n"))}}
	pad := &keypad{c: c, src: src}
	first, ok := pad.press(1)
	require.True(t, ok)
	second, ok := pad.press(1)
	require.True(t, ok)
	assert.Equal(t, []string{"2", "1"}, []string{first, second})
	assert.Contains(t, out.String(), `not sent: 'h' is not a phone key`)
}

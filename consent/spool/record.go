package spool

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// A record on disk: magic, type, content length (big endian), CRC-32C of type and content,
// then the content. The magic's first byte never occurs in UTF-8, and every content is JSON
// or an ASCII id, so a magic found while skipping a damaged stretch starts a record.
var magic = [4]byte{0xfe, 'S', 'P', '1'}

const headerSize = 4 + 1 + 4 + 4

// maxContent bounds one record: a webhook body is at most 64 KiB, and its entry a few times
// that once escaped into JSON.
const maxContent = 1 << 20

// Record types.
const (
	recordEntry byte = 'E' // an Entry, as JSON
	recordDone  byte = 'D' // the id of an entry now in the ledger (or set aside)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type record struct {
	kind    byte
	content []byte
}

// frame returns the bytes of one record.
func frame(kind byte, content []byte) []byte {
	b := make([]byte, headerSize+len(content))
	copy(b, magic[:])
	b[4] = kind
	binary.BigEndian.PutUint32(b[5:], uint32(len(content)))
	binary.BigEndian.PutUint32(b[9:], checksum(kind, content))
	copy(b[headerSize:], content)
	return b
}

func checksum(kind byte, content []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte{kind})
	return crc32.Update(c, castagnoli, content)
}

// damage is a stretch of the file that holds no intact record.
type damage struct{ offset, length int }

// scan reads every intact record of data in order, skipping damaged stretches: at a record
// that does not check out it searches for the next magic and goes on from there.
func scan(data []byte) (recs []record, damaged []damage) {
	for off := 0; off < len(data); {
		if r, n, ok := decodeAt(data[off:]); ok {
			recs = append(recs, r)
			off += n
			continue
		}
		next := bytes.Index(data[off+1:], magic[:])
		if next < 0 {
			damaged = append(damaged, damage{off, len(data) - off})
			break
		}
		damaged = append(damaged, damage{off, next + 1})
		off += next + 1
	}
	return recs, damaged
}

// decodeAt decodes the record at the start of b, reporting how many bytes it spans.
func decodeAt(b []byte) (record, int, bool) {
	if len(b) < headerSize || !bytes.Equal(b[:4], magic[:]) {
		return record{}, 0, false
	}
	kind, n := b[4], binary.BigEndian.Uint32(b[5:])
	if (kind != recordEntry && kind != recordDone) || n > maxContent || int(n) > len(b)-headerSize {
		return record{}, 0, false
	}
	content := b[headerSize : headerSize+int(n)]
	if checksum(kind, content) != binary.BigEndian.Uint32(b[9:]) {
		return record{}, 0, false
	}
	return record{kind: kind, content: content}, headerSize + int(n), true
}

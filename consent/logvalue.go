package consent

import (
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
)

// Tags of the canonical encoding of an evidence value, one byte before each value.
const (
	logTagNull   = 'n' // null; no bytes follow
	logTagFalse  = 'f' // false; no bytes follow
	logTagTrue   = 't' // true; no bytes follow
	logTagNumber = 'd' // 8 bytes: the IEEE 754 binary64 value, big-endian
	logTagString = 's' // uvarint length, then the UTF-8 bytes
	logTagList   = 'l' // uvarint count, then each element
	logTagObject = 'o' // uvarint count, then each key (uvarint length, bytes) and its value, keys sorted
)

// appendLogObject appends evidence as a canonical object; no evidence is the empty object,
// as the ledger stores it.
func appendLogObject(b []byte, evidence map[string]any) []byte {
	if evidence == nil {
		evidence = map[string]any{}
	}
	return appendLogValue(b, evidence)
}

// appendLogValue appends the canonical encoding of one evidence value. The encoding is of
// the value as the ledger reads it back from jsonb — null, booleans, numbers as float64,
// strings, lists and objects — so an event encodes the same before it is stored and after:
// integers become binary64, a nil list or map is null, and any other Go value is first
// converted through encoding/json. A value JSON cannot hold (NaN, a channel) cannot be
// stored at all; it encodes as null.
func appendLogValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, logTagNull)
	case bool:
		if v {
			return append(b, logTagTrue)
		}
		return append(b, logTagFalse)
	case string:
		return appendLogString(append(b, logTagString), v)
	case float64:
		return appendLogNumber(b, v)
	case int:
		return appendLogNumber(b, float64(v))
	case int64:
		return appendLogNumber(b, float64(v))
	case int32:
		return appendLogNumber(b, float64(v))
	case uint64:
		return appendLogNumber(b, float64(v))
	case json.Number:
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			return appendLogNumber(b, f)
		}
	case []any:
		if v == nil {
			return append(b, logTagNull)
		}
		b = binary.AppendUvarint(append(b, logTagList), uint64(len(v)))
		for _, x := range v {
			b = appendLogValue(b, x)
		}
		return b
	case []string:
		if v == nil {
			return append(b, logTagNull)
		}
		b = binary.AppendUvarint(append(b, logTagList), uint64(len(v)))
		for _, s := range v {
			b = appendLogString(append(b, logTagString), s)
		}
		return b
	case map[string]any:
		if v == nil {
			return append(b, logTagNull)
		}
		b = binary.AppendUvarint(append(b, logTagObject), uint64(len(v)))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			b = appendLogValue(appendLogString(b, k), v[k])
		}
		return b
	}
	return appendLogValue(b, jsonValue(v))
}

// appendLogString appends a string's length as a uvarint, then its bytes.
func appendLogString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendLogNumber appends a number; negative zero is zero, as jsonb keeps it.
func appendLogNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, logTagNull)
	}
	if f == 0 {
		f = 0 // also when f is -0
	}
	return binary.BigEndian.AppendUint64(append(b, logTagNumber), math.Float64bits(f))
}

// jsonValue returns v as encoding/json hands it back after a round trip: the form the
// ledger reads evidence in. A value JSON cannot hold becomes nil.
func jsonValue(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var back any
	if err := json.Unmarshal(data, &back); err != nil {
		return nil
	}
	return back
}

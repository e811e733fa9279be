package main

import (
	"io"
	"log/slog"
)

// newLogger builds the process logger from the configuration.
func newLogger(w io.Writer, cfg config) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

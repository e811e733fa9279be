package api

import "github.com/gin-gonic/gin"

// optIn answers POST /v1/opt-ins.
func (h *Handler) optIn(c *gin.Context) {
	abortError(c, 501, codeInternal, "not yet")
}

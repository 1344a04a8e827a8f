package workflow

import (
	"strings"

	"carrierdesk/internal/fault"
)

// required refuses an empty text argument.
func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return fault.InvalidField(field, "must not be empty")
	}
	return nil
}

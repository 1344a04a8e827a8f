package rule

import (
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/viewer"
)

// HolidayScope: the business calendar is for staff.
func HolidayScope(v *viewer.Viewer) []predicate.Holiday {
	if v.Internal() {
		return nil
	}
	return []predicate.Holiday{nothing}
}

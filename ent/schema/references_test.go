package schema

import "testing"

// Every node type needs a table and a getter, or node(id:), reference checks
// and the audit trail silently miss it.
func TestEveryNodeTypeHasTableAndGetter(t *testing.T) {
	for typ := range nodeTables {
		if getters[typ] == nil {
			t.Errorf("%s has a table but no getter", typ)
		}
	}
	if len(getters) != len(nodeTables) {
		t.Errorf("%d getters for %d tables", len(getters), len(nodeTables))
	}
	for field, typ := range referenceTypes {
		if nodeTables[typ] == "" {
			t.Errorf("reference field %s names unknown type %s", field, typ)
		}
	}
}

package graph

import "carrierdesk/ent/schema"

// nodeTable finds the table of a global ID from its prefix.
var nodeTable = schema.NodeTable

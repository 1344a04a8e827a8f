// Package metrics holds the process-wide measures that packages below the
// server keep (the event broker, subscriptions). It imports nothing of the
// project, so any package may increment them; the server registers them with
// the registry it serves at /metrics.
package metrics

import "github.com/prometheus/client_golang/prometheus"

var (
	// Subscribers is the number of escalation-event subscriptions open on this instance.
	Subscribers = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "carrierdesk_subscribers",
		Help: "Escalation-event subscriptions open on this instance.",
	})
	// SubscriberGroups is the number of shared streams open: each reads an
	// event once for all the subscribers of one read scope and filter.
	SubscriberGroups = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "carrierdesk_subscriber_groups",
		Help: "Shared escalation-event streams open on this instance, each read once for its subscribers.",
	})
	// EventsPublished counts the escalation events this instance's broker fanned out to its subscribers.
	EventsPublished = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "carrierdesk_events_published_total",
		Help: "Escalation events the broker of this instance fanned out to its subscribers.",
	})
	// EventsDelivered counts the escalation events handed to subscribers, one per event and subscriber.
	EventsDelivered = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "carrierdesk_events_delivered_total",
		Help: "Escalation events handed to a subscriber, counted once per event and subscriber.",
	})
	// DatabaseReads counts the reads ent sent to the primary or to a read replica (DATABASE_READ_URL).
	DatabaseReads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "carrierdesk_db_reads_total",
		Help: "Reads outside transactions, by where they went: primary or replica. Counted only with DATABASE_READ_URL set.",
	}, []string{"target"})
	// ReplicasInRotation is the number of read replicas that answer and lag at most REPLICA_MAX_LAG.
	ReplicasInRotation = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "carrierdesk_replicas_in_rotation",
		Help: "Read replicas that answer and lag at most REPLICA_MAX_LAG behind the primary, so serve reads.",
	})
)

// Collectors are this package's metrics, for registering with a registry.
// They are process-wide: every registry that registers them reads the same values.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{Subscribers, SubscriberGroups, EventsPublished, EventsDelivered, DatabaseReads, ReplicasInRotation}
}

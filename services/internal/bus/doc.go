// Package bus is breachwire's JetStream spine: it declares the streams, consumers
// and KV buckets of the design, publishes with Nats-Msg-Id, and runs durable pull
// consumers that ack only after success and dead-letter permanent failures.
package bus

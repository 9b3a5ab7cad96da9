//! The occupancy job: import or generate sessions, train, predict, registry metadata.

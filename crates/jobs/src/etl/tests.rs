//! Native tests of the ETL service and its plan.

"""Read side: projections of the event log into SQL read models, with tracking."""

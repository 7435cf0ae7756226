"""KPIs of a service day from tables only: punctuality, headway regularity, waits, crowding,
journeys and delay, train-km, trains used, energy (`kpis` gives them all as `Kpis`)."""

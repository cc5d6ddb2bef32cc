-- The commerce backend's tokens of an agent session (sealed with the token key; SAP Commerce).
ALTER TABLE agent_sessions ADD COLUMN backend_tokens TEXT;

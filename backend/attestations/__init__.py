"""Industrial-internet attestations: devices registered to firms by oracles, production and
delivery attested by them (contracts/AttestationLedger.sol), the oracle service over MQTT, and the
figures they add to a firm's credit record."""

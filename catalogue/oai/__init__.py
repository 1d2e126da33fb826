"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html): harvesting of
the published treaties by aggregators, with Dublin Core (oai_dc) metadata."""

"""What the service publishes about itself: dumps, VoID, DCAT-AP, service description."""

"""The API's routers, one per audience (providers, consumers, subjects, reviewers, admins, the
public) and the operators' ops routes."""

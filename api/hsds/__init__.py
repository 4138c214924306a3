"""The HSDS 3.0 REST API (Open Referral's openapi.json), read-only, under `/hsds`; one module per concern:

- routes.py: the routes (an `APIRouter`), each thin: parse → a service call (services/hsds/) → the answer;
- params.py: the query and path parameters, and turning them into the services' filters and windows (a bad one is
  a 422 in FastAPI's validation shape, naming it and what to send);
- pages.py: a list's answer, the HSDS Page wrapper or an NDJSON stream (teed into a snapshot when it is one);
- deps.py: the dependencies as typed aliases (who asks, the database, the ready-made documents);
- models.py: the response models, for the OpenAPI document;
- middleware.py: CORS for public callers, and HEAD answered as GET.
"""

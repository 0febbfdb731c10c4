"""The http family: the `http` kind (one request, redirects followed hop by hop, each hop
policy-checked and timed) and the `headers` kind (the http probe plus a security and hygiene
grade of the final response) and the `api` kind (the http probe plus assertions on the
response: status, body, headers, response time, JSON values by path).

Private to the family: `_transport` (sessions, policy-checked timed connections), `_exchange`
(the hops of one probe and their clocks), `_match` (status specs, body matching) and
`_grading` (the pure grading function behind `headers`), made of `_scorecard` (observation,
checks, categories), `_security_checks` and `_hygiene_checks` (the twelve graders), and
`_assertions` (the api kind's assertions and its JSON path subset).
"""

"""How people and systems drive Safeside: three thin doors (``cli``, ``api``, ``web``) over one
service layer (``services``), and one reader of the domain's command models for all three
(``command_fields``)."""

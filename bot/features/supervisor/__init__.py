"""The supervisors' desk in the chat: directives (/chidao, /chidao_tinhhinh) and legal documents
(/vanban), each a flow of its own; what they share, on whose behalf and to which units, is
:mod:`bot.features.supervisor.addressing`.
"""

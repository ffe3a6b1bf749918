"""Directives and legal documents as the province's document system exports them (Decree
30/2020/NĐ-CP layout; edXML packages of QCVN 102:2016/BTTTT): their text read from a file
(:mod:`jobs.documents.reading`), their fields read from the text (:mod:`jobs.documents.fields`)
or the package (:mod:`jobs.documents.edxml`), and their issuer and recipients matched to units
(:mod:`jobs.documents.recipients`) into a draft to confirm (:mod:`jobs.documents.draft`).

Pure rules: nothing here writes to the database or sends anything.
"""

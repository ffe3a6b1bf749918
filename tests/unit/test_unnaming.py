"""A person who left is written as their label in the texts that named them, and only there."""

from jobs.people.personal_data import without_names


def test_a_name_is_replaced_as_a_whole_word_and_file_bytes_are_left_alone():
    payload = {"text": "Lan đã nộp báo cáo; Lang và Lan Anh thì chưa. (Lan)",
               "choices": [["pick:1", "Lan"], ["pick:2", "Minh"]],
               "attachments": [{"kind": "document", "filename": "Lan.xlsx", "content": "TGFu"}]}
    assert without_names(payload, {"Lan": "#12", "Lan Anh": "#14"}) == {
        "text": "#12 đã nộp báo cáo; Lang và #14 thì chưa. (#12)",
        "choices": [["pick:1", "#12"], ["pick:2", "Minh"]],
        "attachments": [{"kind": "document", "filename": "#12.xlsx", "content": "TGFu"}]}

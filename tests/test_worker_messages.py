"""The supervisor reads its children's messages in bulk, as the children send them."""

import multiprocessing
import threading

import pytest

from django_gigq.worker.messages import MessageReader, receive, send


@pytest.fixture
def pipe():
    supervisor_end, child_end = multiprocessing.Pipe()
    yield supervisor_end, child_end
    supervisor_end.close()
    child_end.close()


def test_every_message_waiting_is_read_at_once_in_order(pipe):
    supervisor_end, child_end = pipe
    for n in range(50):
        send(child_end, ["outcome", n])

    assert MessageReader(supervisor_end).read() == [["outcome", n] for n in range(50)]


def test_a_message_larger_than_one_read_comes_whole_after_several_reads(pipe):
    supervisor_end, child_end = pipe
    large = "x" * (3 * MessageReader.CHUNK)
    # A pipe holds less than the message: the child blocks until the supervisor reads.
    writer = threading.Thread(target=send, args=(child_end, ["result", large]))
    writer.start()
    reader = MessageReader(supervisor_end)
    messages = []
    while not messages:
        messages = reader.read()
    writer.join()

    assert messages == [["result", large]]


def test_a_closed_pipe_reads_as_eof_once_its_messages_are_read(pipe):
    supervisor_end, child_end = pipe
    send(child_end, "last words")
    child_end.close()
    reader = MessageReader(supervisor_end)

    assert reader.read() == ["last words"]
    with pytest.raises(EOFError):
        reader.read()


def test_a_child_receives_what_the_supervisor_sends(pipe):
    supervisor_end, child_end = pipe
    send(supervisor_end, [["job", 1], ["job", 2]])

    assert receive(child_end) == [["job", 1], ["job", 2]]

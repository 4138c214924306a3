"""What every source loader shares, once: decoding text files (`decoding`), language names -> ISO 639
codes (`languages`), yes/no words (`yes_no`) and dataset namespaces of graph ids (`ids`)."""
